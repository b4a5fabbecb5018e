// Loads the napi-rs addon through its generated loader (binding.cjs picks the local build or the
// prebuilt per-platform package). Nothing else in the package touches the raw binding.
import { createRequire } from 'node:module';
import type * as Binding from '../binding.cjs';

const require = createRequire(import.meta.url);

export const native: typeof Binding = require('../binding.cjs');
export type NativePolicy = Binding.Policy;
export type NativeBlsSigner = Binding.BlsSigner;
export type NativeOperatorRegistry = Binding.OperatorRegistry;
export type NativeAggregator = Binding.Aggregator;
export type NativeValidator = Binding.Validator;
export type NativePrivacyNode = Binding.PrivacyNode;
export type NativePrivacyStore = Binding.PrivacyStore;
