/**
 * Many generations from a list in the official eval_data format with the model loaded once (resumable, index), and
 * the CLIP scores of their results.
 *
 * <p>Uses: pipeline, output, model, clip, unet, video, image, sched, download, task.
 */
package sc.fiji.stylecrafter.batch;
