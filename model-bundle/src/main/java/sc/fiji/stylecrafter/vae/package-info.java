/**
 * The VAE encoder (restyling a source) and decoder, frame by frame.
 *
 * <p>Uses: nn.
 */
package sc.fiji.stylecrafter.vae;
