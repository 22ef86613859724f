export * from './backend';
export * from './images';
export * from './instances';
export * from './limits';
export * from './models';
export * from './sizing';
export * from './training';
