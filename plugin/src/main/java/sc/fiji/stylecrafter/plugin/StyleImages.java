package sc.fiji.stylecrafter.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;

/**
 * Turns an ImgLib2 image into style references. Axes are X, Y, then, when the caller says the image has one, a channel
 * axis of 3 or 4 entries (RGB, RGBA: alpha dropped); every further position (slices, frames) is another reference.
 * ARGB pixels are used as they are; unsigned 8-bit values as they are; other types (16-bit, 32-bit, signed) are scaled
 * from the image's own minimum-maximum to 0-255, as Fiji does when it converts for display. Whether an axis is a
 * channel axis is the caller's knowledge (an ImageJ image says it, see {@link StyleReferences}); it is never guessed
 * from a size of 3 or 4.
 */
public final class StyleImages {

	/** At most this many references. */
	public static final int MAX_REFERENCES = StyleCrafterPipeline.MAX_STYLES;

	private StyleImages() {}

	/** Every plane at its full size (see {@link #fromImage(RandomAccessibleInterval, boolean, String, UnaryOperator)}). */
	public static List<RgbImage> fromImage(RandomAccessibleInterval<?> img, boolean channelAxis, String name) {
		return fromImage(img, channelAxis, name, UnaryOperator.identity());
	}

	/**
	 * The references of an image, each passed through {@code eachPlane} as soon as it is made: with the style crop
	 * there, a stack of large planes never holds more than one of them at full size.
	 */
	public static List<RgbImage> fromImage(RandomAccessibleInterval<?> img, boolean channelAxis, String name, UnaryOperator<RgbImage> eachPlane) {
		return convert(img, channelAxis, name, eachPlane, MAX_REFERENCES);
	}

	/**
	 * The frames of a source to restyle, converted by the same rules as style references (their number not limited:
	 * the caller checks it), each passed through {@code eachPlane} (resized) as soon as it is made. 16- and 32-bit
	 * values are scaled from the minimum-maximum of the whole clip, so its frames keep their brightness relative to
	 * each other.
	 */
	public static List<RgbImage> frames(RandomAccessibleInterval<?> img, boolean channelAxis, String name, UnaryOperator<RgbImage> eachPlane) {
		return convert(img, channelAxis, name, eachPlane, Long.MAX_VALUE);
	}

	@SuppressWarnings("unchecked")
	private static List<RgbImage> convert(RandomAccessibleInterval<?> img, boolean channelAxis, String name, UnaryOperator<RgbImage> eachPlane, long most) {
		if (img == null) throw new IllegalArgumentException("no style image given");
		int n = img.numDimensions();
		if (n < 2) throw new IllegalArgumentException(name + " has " + n + " dimension(s); a style image needs at least X and Y");
		long w = img.dimension(0), h = img.dimension(1);
		if (w < 1 || h < 1 || w > RgbImage.MAX_SIDE || h > RgbImage.MAX_SIDE) {
			throw new IllegalArgumentException(name + " is " + w + "x" + h + " pixels; a style image may be 1 to " + RgbImage.MAX_SIDE + " pixels on a side");
		}
		Object type = Views.iterable(img).firstElement();
		if (type instanceof ARGBType) return fromArgb((RandomAccessibleInterval<ARGBType>) img, name, eachPlane, most);
		if (type instanceof RealType) return fromReal((RandomAccessibleInterval<? extends RealType<?>>) img, channelAxis, name, eachPlane, most);
		throw new IllegalArgumentException(name + " has pixels of type " + type.getClass().getSimpleName()
			+ ", which cannot be a style reference; allowed: 8-, 16- or 32-bit gray or RGB images");
	}

	private static long references(RandomAccessibleInterval<?> img, int fromDim, String name, long most) {
		long refs = 1;
		for (int d = fromDim; d < img.numDimensions(); d++) refs *= img.dimension(d);
		if (refs > most) checkCount(refs, name);
		return refs;
	}

	/** Refuses more than {@link #MAX_REFERENCES} references in one image. */
	public static void checkCount(long refs, String name) {
		if (refs > MAX_REFERENCES) {
			throw new IllegalArgumentException(name + " holds " + refs + " planes; at most " + MAX_REFERENCES + " style references are allowed");
		}
	}

	/** Reference {@code index} (dimensions from {@code fromDim} on, the lowest varying fastest) as a view without them. */
	private static <T> RandomAccessibleInterval<T> reference(RandomAccessibleInterval<T> img, int fromDim, long index) {
		long[] at = new long[img.numDimensions()];
		for (int d = fromDim; d < img.numDimensions(); d++) {
			at[d] = img.min(d) + index % img.dimension(d);
			index /= img.dimension(d);
		}
		RandomAccessibleInterval<T> v = img;
		for (int d = img.numDimensions() - 1; d >= fromDim; d--) v = Views.hyperSlice(v, d, at[d]);
		return v;
	}

	private static List<RgbImage> fromArgb(RandomAccessibleInterval<ARGBType> img, String name, UnaryOperator<RgbImage> eachPlane, long most) {
		int w = (int) img.dimension(0), h = (int) img.dimension(1);
		long refs = references(img, 2, name, most);
		List<RgbImage> out = new ArrayList<>();
		for (long r = 0; r < refs; r++) {
			byte[] rgb = new byte[Math.multiplyExact(w * h, 3)];
			Cursor<ARGBType> c = Views.flatIterable(reference(img, 2, r)).cursor(); // x fastest, then y: row-major
			for (int i = 0; c.hasNext(); i += 3) {
				int v = c.next().get();
				rgb[i] = (byte) ARGBType.red(v);
				rgb[i + 1] = (byte) ARGBType.green(v);
				rgb[i + 2] = (byte) ARGBType.blue(v);
			}
			out.add(eachPlane.apply(new RgbImage(w, h, rgb)));
		}
		return out;
	}

	private static List<RgbImage> fromReal(RandomAccessibleInterval<? extends RealType<?>> img, boolean channels, String name,
		UnaryOperator<RgbImage> eachPlane, long most)
	{
		int w = (int) img.dimension(0), h = (int) img.dimension(1);
		if (channels && (img.numDimensions() < 3 || img.dimension(2) < 3 || img.dimension(2) > 4)) {
			throw new IllegalArgumentException(name + " has " + (img.numDimensions() < 3 ? 1 : img.dimension(2))
				+ " channel(s); a colour reference needs 3 (RGB) or 4 (RGBA)");
		}
		long refs = references(img, channels ? 3 : 2, name, most);
		boolean asIs = Views.iterable(img).firstElement() instanceof UnsignedByteType;
		double min = 0, scale = 1;
		if (!asIs) {
			double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
			Cursor<? extends RealType<?>> c = Views.iterable(img).cursor();
			while (c.hasNext()) {
				double v = c.next().getRealDouble();
				if (Double.isNaN(v)) continue;
				lo = Math.min(lo, v);
				hi = Math.max(hi, v);
			}
			if (!Double.isFinite(lo) || !Double.isFinite(hi)) throw new IllegalArgumentException(name + " has no finite pixel values");
			min = lo;
			scale = hi > lo ? 255.0 / (hi - lo) : 0;
		}
		List<RgbImage> out = new ArrayList<>();
		for (long r = 0; r < refs; r++) {
			RandomAccessibleInterval<? extends RealType<?>> ref = reference(img, channels ? 3 : 2, r);
			byte[] rgb = new byte[Math.multiplyExact(w * h, 3)];
			for (int c = 0; c < 3; c++) {
				RandomAccessibleInterval<? extends RealType<?>> plane = channels ? Views.hyperSlice(ref, 2, ref.min(2) + c) : ref;
				Cursor<? extends RealType<?>> cur = Views.flatIterable(plane).cursor();
				for (int i = c; cur.hasNext(); i += 3) {
					double v = cur.next().getRealDouble();
					int b = Double.isNaN(v) ? 0 : (int) Math.round(asIs ? v : (v - min) * scale);
					rgb[i] = (byte) Math.max(0, Math.min(255, b));
				}
			}
			out.add(eachPlane.apply(new RgbImage(w, h, rgb)));
		}
		return out;
	}
}
