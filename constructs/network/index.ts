export * from './private-vpc';
