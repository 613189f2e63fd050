// @boxteacher/trainer public API (filled in by its issue).
export const PACKAGE_NAME = '@boxteacher/trainer';
