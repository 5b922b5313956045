/** Berth's own version, reported by `version` and in the Server header. */
export const berthVersion = "0.1.0";
export const berthGitCommit = "berth";
