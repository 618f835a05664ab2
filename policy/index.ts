/**
 * The `eventflow-security` policy pack: `pulumi preview --policy-pack policy` (after `npm install` in policy/).
 * Every policy calls the pure rules of `rules.ts`, which the tests run against the synthesized stacks. Tests must
 * never import this file: `new PolicyPack` starts the gRPC server the Pulumi CLI talks to.
 */
import { PolicyPack, UnknownValueError, type ResourceValidationPolicy, type StackValidationPolicy } from '@pulumi/policy';
import * as pulumi from '@pulumi/pulumi';
import { RESOURCE_RULES, STACK_RULES, plainProps, ruleContextFromConfig, type Props, type RuleContext } from './rules';

/**
 * The rules' view of the stack. The CLI hands a policy pack the stack's configuration, secrets decrypted, in
 * PULUMI_CONFIG (read by `allConfig()`); a configuration the program would reject is reported, not ignored.
 */
function loadContext(): { readonly context: RuleContext; readonly problem?: string } {
  try {
    return { context: ruleContextFromConfig(pulumi.runtime.allConfig()) };
  } catch (error) {
    return { context: {}, problem: error instanceof Error ? error.message : String(error) };
  }
}

const isUnknown = (error: unknown) => error instanceof UnknownValueError;
const props = (value: unknown) => plainProps(value, isUnknown) as Props;

const { context, problem } = loadContext();

const resourcePolicies: ResourceValidationPolicy[] = RESOURCE_RULES.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: 'mandatory',
  validateResource: (args, reportViolation) => {
    for (const message of rule.check(args.type, args.name, props(args.props), context)) reportViolation(message);
  },
}));

const stackPolicies: StackValidationPolicy[] = [
  ...STACK_RULES.map(
    (rule): StackValidationPolicy => ({
      name: rule.name,
      description: rule.description,
      enforcementLevel: 'mandatory',
      validateStack: (args, reportViolation) => {
        const resources = args.resources.map((r) => ({ type: r.type, name: r.name, props: props(r.props) }));
        for (const message of rule.check(resources, context)) reportViolation(message);
      },
    }),
  ),
  {
    name: 'stack-configuration-readable',
    description: 'The stage configuration parses as the program parses it, so the stage-specific rules know the stage.',
    enforcementLevel: 'mandatory',
    validateStack: (_args, reportViolation) => {
      if (problem) reportViolation(problem);
    },
  },
];

new PolicyPack('eventflow-security', { policies: [...resourcePolicies, ...stackPolicies] });
