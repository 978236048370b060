/**
 * The video UNet of VideoCrafter1 with StyleCrafter's dual cross-attention and the temporal transformers; its mode
 * (video or image).
 *
 * <p>Uses: nn.
 */
package sc.fiji.stylecrafter.unet;
