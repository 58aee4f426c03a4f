// What src/runtime/validators.ts needs from ajv, in one module: the entry of the dist/vendor/ajv.cjs
// bundle (scripts/vendor-bundles.mjs), and what runs from source.
module.exports = { Ajv2020: require('ajv/dist/2020.js').Ajv2020, addFormats: require('ajv-formats').default };
