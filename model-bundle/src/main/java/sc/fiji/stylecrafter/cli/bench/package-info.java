/**
 * The benchmarks (bench-load, bench-encoders, bench-unet, bench-generate): timings and profiles, not tests.
 *
 * <p>Uses: cli.base, and the core packages.
 */
package sc.fiji.stylecrafter.cli.bench;
