/**
 * The stylecrafter command line: Main and one class per subcommand (picocli); each parses its inputs, calls the core
 * and prints the outcome.
 *
 * <p>Uses: cli.bench, cli.base, and the core packages.
 */
package sc.fiji.stylecrafter.cli;
