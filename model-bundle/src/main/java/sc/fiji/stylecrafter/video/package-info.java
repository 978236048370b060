/**
 * Video files through JavaCV and FFmpeg: style references from videos, results written as MP4, WebM and GIF.
 *
 * <p>Uses: image.
 */
package sc.fiji.stylecrafter.video;
