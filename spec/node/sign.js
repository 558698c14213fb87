// Signs one request with the official Node.js SDK's signer (AKSKSigner), for spec/telemetry_spec.lua:
// stdin: {"url", "method", "headers", "query", "ak", "sk"} (no body); stdout: the Authorization header.
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner');
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const r = JSON.parse(input);
  const credential = { getAk: () => r.ak, getSk: () => r.sk };
  const signed = AKSKSigner.sign({ endpoint: r.url, method: r.method, headers: r.headers,
    queryParams: r.query || {} }, credential);
  process.stdout.write(signed.Authorization + '\n');
});
