/**
 * RGB images and the style preprocessing of the official code (Pillow's resize, the 512 crop, CLIP's 224 input).
 *
 * <p>Uses: nothing of ours.
 */
package sc.fiji.stylecrafter.image;
