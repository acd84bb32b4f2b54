/** Special functions (stdlib, match scipy) used by the closed forms. */
import erfcS from '@stdlib/math-base-special-erfc';
import erfS from '@stdlib/math-base-special-erf';
import erfinvS from '@stdlib/math-base-special-erfinv';
import betaincS from '@stdlib/math-base-special-betainc';
import betaincinvS from '@stdlib/math-base-special-betaincinv';
import gammalnS from '@stdlib/math-base-special-gammaln';

export const erfc = erfcS as (x: number) => number;
export const erf = erfS as (x: number) => number;
export const erfinv = erfinvS as (x: number) => number;
export const betainc = betaincS as (x: number, a: number, b: number, regularized?: boolean, upper?: boolean) => number;
export const betaincinv = betaincinvS as (p: number, a: number, b: number, upper?: boolean) => number;
export const gammaln = gammalnS as (x: number) => number;

export const SQRT2 = Math.SQRT2;
export const INV_SQRT_2PI = 0.3989422804014327;

/** Standard normal pdf. */
export function phi(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}
/** Standard normal upper tail Q(x) = 1 - Φ(x), accurate for large x. */
export function normSf(x: number): number {
  return 0.5 * erfc(x / SQRT2);
}
