// Jest snapshot serializer: replaces content hashes of assets (64 hex digits) so that snapshots
// change when the template changes, not when an asset's bytes or the toolchain do.
const HASH = /[0-9a-f]{64}/g;
module.exports = {
  test: (value) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value, config, indentation, depth, refs, printer) =>
    printer(value.replace(HASH, '<asset-hash>'), config, indentation, depth, refs),
};
