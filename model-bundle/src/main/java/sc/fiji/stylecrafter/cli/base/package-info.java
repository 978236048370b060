/**
 * What every command of the command line shares: the base class (streams, exit codes), the generation and request
 * options (mixins), the terminal's progress bars, loading and notices.
 *
 * <p>Uses: the core packages.
 */
package sc.fiji.stylecrafter.cli.base;
