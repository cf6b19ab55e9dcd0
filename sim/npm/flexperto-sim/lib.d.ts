/** The absolute path of the simulator binary (FLEXPERTO_SIM_BIN, else the platform package); throws with install advice when there is none. */
export declare function binaryPath(): string;
/** The name of the platform package for this machine, or undefined. */
export declare function platformPackage(): string | undefined;
