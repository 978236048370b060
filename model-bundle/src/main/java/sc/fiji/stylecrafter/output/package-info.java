/**
 * Writing results: frames as a TIFF, a video or PNGs, with the generation's record as a JSON sidecar.
 *
 * <p>Uses: pipeline, task, video.
 */
package sc.fiji.stylecrafter.output;
