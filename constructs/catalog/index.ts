export * from './backend';
export * from './images';
export * from './instances';
export * from './models';
export * from './sizing';
export * from './training';
