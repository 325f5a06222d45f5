// The LWC tests run on sfdx-lwc-jest's own jest (jsdom, the LWC transformer, stubs for lightning-* and @salesforce/apex).
/* global module, require */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS config file, as sfdx-lwc-jest loads it
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = { ...jestConfig, modulePathIgnorePatterns: ['<rootDir>/.localdevserver'] };
