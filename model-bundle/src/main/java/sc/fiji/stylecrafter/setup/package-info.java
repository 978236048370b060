/**
 * Setting a model folder up: the licence terms, downloading what the folder lacks, the status and verification of
 * its files.
 *
 * <p>Uses: model, download, task.
 */
package sc.fiji.stylecrafter.setup;
