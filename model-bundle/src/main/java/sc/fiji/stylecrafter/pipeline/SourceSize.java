package sc.fiji.stylecrafter.pipeline;

import java.util.Locale;

import sc.fiji.stylecrafter.unet.Mode;

/**
 * The size a source to restyle is generated at, and the Java memory a restyle of it holds. The rule: a width or height
 * the user gives is kept; without them, the generation has the official pixel count of the mode (512x320 for video,
 * 512x512 for an image) with the source's aspect ratio, each side the nearest multiple of
 * {@link GenerationSettings#SIZE_STEP}; with only one of them, the other follows the source's aspect ratio. Sides stay
 * within {@link GenerationSettings#SIZE_STEP} to {@link GenerationSettings#MAX_SIDE}. A 640x480 source becomes 448x320
 * for video and 576x448 for an image; a 512x320 one stays 512x320.
 *
 * @param width the generation width
 * @param height the generation height
 */
public record SourceSize(int width, int height) {

	/**
	 * The generation size of a {@code sourceWidth x sourceHeight} source by the rule above.
	 *
	 * @param width the width the user gave, or {@code null}
	 * @param height the height the user gave, or {@code null}
	 */
	public static SourceSize of(Mode mode, int sourceWidth, int sourceHeight, Integer width, Integer height) {
		if (sourceWidth < 1 || sourceHeight < 1) throw new IllegalArgumentException("a source of " + sourceWidth + "x" + sourceHeight + " pixels has no size");
		if (width != null && height != null) return new SourceSize(width, height);
		double aspect = sourceWidth / (double) sourceHeight;
		if (width != null) return new SourceSize(width, GenerationSettings.roundedSide((int) Math.round(width / aspect)));
		if (height != null) return new SourceSize(GenerationSettings.roundedSide((int) Math.round(height * aspect)), height);
		GenerationSettings official = GenerationSettings.defaults(mode);
		double pixels = (double) official.width() * official.height();
		return new SourceSize(GenerationSettings.roundedSide((int) Math.round(Math.sqrt(pixels * aspect))),
			GenerationSettings.roundedSide((int) Math.round(Math.sqrt(pixels / aspect))));
	}

	/**
	 * Bytes of Java memory a restyle of {@code frames} frames at this size holds at its peak, beyond the source itself:
	 * the source frames at this size (RGB), the decoded frames as floats (held twice while they are read from the
	 * engine), in 8 bits and as ImageJ pixels, and the result at the source's size (a host that resizes it back).
	 */
	public long heapBytes(int frames, int sourceWidth, int sourceHeight) {
		long here = (long) width * height, there = (long) sourceWidth * sourceHeight;
		return frames * (here * (3 + 2 * 3 * 4 + 3 + 4) + there * 4);
	}

	/**
	 * Refuses a source whose restyle would not fit in {@code freeBytes} of Java memory, saying how many frames fit.
	 *
	 * @param name the source as the user knows it, for the message
	 * @throws IllegalArgumentException naming the need, what is free and the most frames that fit
	 */
	public void checkMemory(int frames, int sourceWidth, int sourceHeight, long freeBytes, String name) {
		long need = heapBytes(frames, sourceWidth, sourceHeight);
		if (need <= freeBytes) return;
		long fit = freeBytes / Math.max(1, heapBytes(1, sourceWidth, sourceHeight));
		throw new IllegalArgumentException(String.format(Locale.ROOT, "%s is too large to restyle with the memory Java has: %d frame(s) restyled at %dx%d and "
			+ "shown at %dx%d need about %d MB, and about %d MB are free, enough for %d frame(s). Restyle a shorter part (a substack), a smaller size, or give "
			+ "Java more memory (in Fiji: Edit > Options > Memory & Threads)", name, frames, width, height, sourceWidth, sourceHeight, need >> 20, freeBytes >> 20,
			fit));
	}

	/** The Java memory free to this program now: what the heap may still grow by, and what it has free. */
	public static long freeHeap() {
		Runtime r = Runtime.getRuntime();
		return r.maxMemory() - (r.totalMemory() - r.freeMemory());
	}
}
