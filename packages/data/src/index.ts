// @boxteacher/data public API (filled in by its issue).
export const PACKAGE_NAME = '@boxteacher/data';
