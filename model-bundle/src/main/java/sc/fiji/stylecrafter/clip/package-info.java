/**
 * OpenCLIP ViT-H/14: the tokenizer, the text encoder, the image encoder of the style references, and the CLIP scorer
 * of results.
 *
 * <p>Uses: nn, image.
 */
package sc.fiji.stylecrafter.clip;
