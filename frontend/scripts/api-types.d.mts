// Declarations of scripts/api-types.mjs, for the test that checks the generated API types.
export declare const SCHEMA_FILE: string;
export declare function generate(bin: string): Promise<string>;
