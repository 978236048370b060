package sc.fiji.stylecrafter.plugin;

import java.util.ArrayList;
import java.util.List;

import net.imglib2.Cursor;
import net.imglib2.RandomAccess;
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

	@SuppressWarnings("unchecked")
	public static List<RgbImage> fromImage(RandomAccessibleInterval<?> img, boolean channelAxis, String name) {
		if (img == null) throw new IllegalArgumentException("no style image given");
		int n = img.numDimensions();
		if (n < 2) throw new IllegalArgumentException(name + " has " + n + " dimension(s); a style image needs at least X and Y");
		long w = img.dimension(0), h = img.dimension(1);
		if (w < 1 || h < 1 || w > RgbImage.MAX_SIDE || h > RgbImage.MAX_SIDE) {
			throw new IllegalArgumentException(name + " is " + w + "x" + h + " pixels; a style image may be 1 to " + RgbImage.MAX_SIDE + " pixels on a side");
		}
		Object type = Views.iterable(img).firstElement();
		if (type instanceof ARGBType) return fromArgb((RandomAccessibleInterval<ARGBType>) img, name);
		if (type instanceof RealType) return fromReal((RandomAccessibleInterval<? extends RealType<?>>) img, channelAxis, name);
		throw new IllegalArgumentException(name + " has pixels of type " + type.getClass().getSimpleName()
			+ ", which cannot be a style reference; allowed: 8-, 16- or 32-bit gray or RGB images");
	}

	private static long references(RandomAccessibleInterval<?> img, int fromDim, String name) {
		long refs = 1;
		for (int d = fromDim; d < img.numDimensions(); d++) refs *= img.dimension(d);
		if (refs > MAX_REFERENCES) {
			throw new IllegalArgumentException(name + " holds " + refs + " planes; at most " + MAX_REFERENCES + " style references are allowed");
		}
		return refs;
	}

	private static long[] position(RandomAccessibleInterval<?> img, int fromDim, long index, long x, long y, long c, boolean channelAxis) {
		long[] pos = new long[img.numDimensions()];
		pos[0] = img.min(0) + x;
		pos[1] = img.min(1) + y;
		int d = 2;
		if (channelAxis) pos[d++] = img.min(2) + c;
		for (; d < img.numDimensions(); d++) {
			pos[d] = img.min(d) + index % img.dimension(d);
			index /= img.dimension(d);
		}
		return pos;
	}

	private static List<RgbImage> fromArgb(RandomAccessibleInterval<ARGBType> img, String name) {
		int w = (int) img.dimension(0), h = (int) img.dimension(1);
		long refs = references(img, 2, name);
		RandomAccess<ARGBType> ra = img.randomAccess();
		List<RgbImage> out = new ArrayList<>();
		for (long r = 0; r < refs; r++) {
			byte[] rgb = new byte[w * h * 3];
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					int v = ra.setPositionAndGet(position(img, 2, r, x, y, 0, false)).get(), i = (y * w + x) * 3;
					rgb[i] = (byte) ARGBType.red(v);
					rgb[i + 1] = (byte) ARGBType.green(v);
					rgb[i + 2] = (byte) ARGBType.blue(v);
				}
			}
			out.add(new RgbImage(w, h, rgb));
		}
		return out;
	}

	private static List<RgbImage> fromReal(RandomAccessibleInterval<? extends RealType<?>> img, boolean channels, String name) {
		int w = (int) img.dimension(0), h = (int) img.dimension(1);
		if (channels && (img.numDimensions() < 3 || img.dimension(2) < 3 || img.dimension(2) > 4)) {
			throw new IllegalArgumentException(name + " has " + (img.numDimensions() < 3 ? 1 : img.dimension(2))
				+ " channel(s); a colour reference needs 3 (RGB) or 4 (RGBA)");
		}
		long refs = references(img, channels ? 3 : 2, name);
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
		RandomAccess<? extends RealType<?>> ra = img.randomAccess();
		List<RgbImage> out = new ArrayList<>();
		for (long r = 0; r < refs; r++) {
			byte[] rgb = new byte[w * h * 3];
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					for (int c = 0; c < 3; c++) {
						double v = ra.setPositionAndGet(position(img, channels ? 3 : 2, r, x, y, channels ? c : 0, channels)).getRealDouble();
						int b = Double.isNaN(v) ? 0 : (int) Math.round(asIs ? v : (v - min) * scale);
						rgb[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, b));
					}
				}
			}
			out.add(new RgbImage(w, h, rgb));
		}
		return out;
	}
}
