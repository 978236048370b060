/**
 * The resumable, verified downloader (HTTP range, SHA-256, free-space check, files kept aside when wrong) and the
 * files it fetches with their licences.
 *
 * <p>Uses: task.
 */
package sc.fiji.stylecrafter.download;
