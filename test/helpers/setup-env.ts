// Tests talk only to loopback stand-ins: no ambient AWS profile or endpoint may leak in from the machine.
for (const name of Object.keys(process.env)) {
  if (name.startsWith('AWS_ENDPOINT_URL') || name === 'AWS_PROFILE' || name === '_X_AMZN_TRACE_ID') delete process.env[name];
}
// The SDK's notice that Node 20 support ends in 2027 is known (see README); it would repeat in every suite.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
