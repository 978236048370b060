package sc.fiji.stylecrafter.unet;

/** What to generate, and which UNet runs: with its temporal layers (video) or without (image). */
public enum Mode {
	/** A clip of {@code frames} frames (16 at 320x512 by default), video UNet with temporal attention. */
	VIDEO,
	/** One 512x512 image, the same UNet without its temporal layers. */
	IMAGE
}
