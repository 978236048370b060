/**
 * The VAE decoder, frame by frame.
 *
 * <p>Uses: nn.
 */
package sc.fiji.stylecrafter.vae;
