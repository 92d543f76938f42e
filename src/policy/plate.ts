/** Licence plate normalisation (spec/policy.md): upper case, spaces, dots and hyphens removed. */
export function normalisePlate(plate: string): string {
  return plate.toUpperCase().replace(/[\s.-]/g, '');
}
