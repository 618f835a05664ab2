import * as pulumi from '@pulumi/pulumi';

/** One IAM statement; `Resource` is never `*` unless the service requires it (say why at the call site). */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource: pulumi.Input<string> | ReadonlyArray<pulumi.Input<string>>;
  readonly Condition?: unknown;
}

/** Serialises a policy document whose values may be Outputs. */
export function policyDocument(statements: readonly Statement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: statements });
}

/** A trust policy letting an AWS service assume a role. */
export function assumeRolePolicy(service: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
}
