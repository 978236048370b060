package sc.fiji.stylecrafter.image;

/**
 * Pillow's 8-bit resampling ({@code Image.resize}, libImaging/Resample.c of Pillow 9.5) with the bilinear filter:
 * separable, horizontal pass then vertical, the filter support widened by the scale when reducing (antialiasing), and
 * 22-bit fixed-point coefficients, so that the bytes equal Pillow's.
 */
public final class PilResize {

	private static final int PRECISION_BITS = 32 - 8 - 2;

	private PilResize() {}

	private record Coeffs(int ksize, int[] bounds, int[] kk) {}

	/** Pillow's filters: their support and kernel (libImaging/Resample.c). */
	public enum Filter {
		BILINEAR(1.0),
		/** Pillow's bicubic, {@code a = -0.5}. */
		BICUBIC(2.0);

		final double support;

		Filter(double support) {
			this.support = support;
		}

		double weight(double x) {
			if (x < 0) x = -x;
			if (this == BILINEAR) return x < 1.0 ? 1.0 - x : 0.0;
			double a = -0.5;
			if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
			if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
			return 0.0;
		}
	}

	/**
	 * Coefficients for the output positions {@code from .. from + count - 1} of a resize from {@code inSize} to
	 * {@code outSize}; each position's coefficients depend only on the position, so any window is exact.
	 */
	private static Coeffs precompute(int inSize, long outSize, long from, int count, Filter filter) {
		double scale = (double) inSize / outSize;
		double filterscale = Math.max(scale, 1.0);
		double support = filter.support * filterscale;
		int ksize = (int) Math.ceil(support) * 2 + 1;
		double[] k = new double[count * ksize];
		int[] bounds = new int[count * 2];
		for (int i = 0; i < count; i++) {
			long xx = from + i;
			double center = (xx + 0.5) * scale;
			double ww = 0.0, ss = 1.0 / filterscale;
			int xmin = (int) (center - support + 0.5);
			if (xmin < 0) xmin = 0;
			int xmax = (int) (center + support + 0.5);
			if (xmax > inSize) xmax = inSize;
			xmax -= xmin;
			for (int x = 0; x < xmax; x++) {
				double w = filter.weight((x + xmin - center + 0.5) * ss);
				k[i * ksize + x] = w;
				ww += w;
			}
			for (int x = 0; x < xmax; x++) if (ww != 0.0) k[i * ksize + x] /= ww;
			bounds[i * 2] = xmin;
			bounds[i * 2 + 1] = xmax;
		}
		int[] kk = new int[k.length];
		for (int i = 0; i < k.length; i++) {
			kk[i] = k[i] < 0 ? (int) (-0.5 + k[i] * (1 << PRECISION_BITS)) : (int) (0.5 + k[i] * (1 << PRECISION_BITS));
		}
		return new Coeffs(ksize, bounds, kk);
	}

	private static int clip8(int v) {
		if (v >= (1 << PRECISION_BITS << 8)) return 255;
		if (v <= 0) return 0;
		return v >> PRECISION_BITS;
	}

	/** Resizes to {@code outW x outH}; returns the same image if the size does not change (Pillow copies). */
	public static RgbImage bilinear(RgbImage in, int outW, int outH) {
		return bilinearWindow(in, outW, outH, 0, 0, outW, outH);
	}

	/**
	 * The window {@code [left, left + w) x [top, top + h)} of the image resized to {@code outW x outH}, computed
	 * without the rest of it: the same bytes as resizing whole and cropping, so a 16384x1 image, whose resize to a
	 * short side of 512 would have 8388608x512 pixels, costs only its crop.
	 */
	public static RgbImage bilinearWindow(RgbImage in, long outW, long outH, long left, long top, int w, int h) {
		return window(in, outW, outH, left, top, w, h, Filter.BILINEAR);
	}

	/** {@link #bilinearWindow} with any of Pillow's filters. */
	public static RgbImage window(RgbImage in, long outW, long outH, long left, long top, int w, int h, Filter filter) {
		if (left < 0 || top < 0 || left + w > outW || top + h > outH) {
			throw new IllegalArgumentException("window " + w + "x" + h + "+" + left + "+" + top + " lies outside " + outW + "x" + outH);
		}
		if (outW == in.width() && outH == in.height() && w == outW && h == outH) return in;
		boolean needH = outW != in.width(), needV = outH != in.height();
		Coeffs horiz = precompute(in.width(), outW, left, w, filter);
		Coeffs vert = needV ? precompute(in.height(), outH, top, h, filter) : null;
		// the source rows the vertical pass reads (all window rows when there is no vertical pass)
		int yFirst = needV ? vert.bounds[0] : (int) top;
		int yLast = needV ? vert.bounds[h * 2 - 2] + vert.bounds[h * 2 - 1] : (int) top + h;
		byte[] src = in.rgb();
		int srcW = in.width();
		int tmpH = yLast - yFirst;
		byte[] tmp = new byte[w * tmpH * 3];
		for (int y = 0; y < tmpH; y++) {
			int row = (y + yFirst) * srcW;
			if (!needH) {
				System.arraycopy(src, (row + (int) left) * 3, tmp, y * w * 3, w * 3);
				continue;
			}
			for (int xx = 0; xx < w; xx++) {
				int xmin = horiz.bounds[xx * 2], xmax = horiz.bounds[xx * 2 + 1], kb = xx * horiz.ksize;
				for (int c = 0; c < 3; c++) {
					int ss = 1 << (PRECISION_BITS - 1);
					for (int x = 0; x < xmax; x++) ss += (src[(row + x + xmin) * 3 + c] & 0xFF) * horiz.kk[kb + x];
					tmp[(y * w + xx) * 3 + c] = (byte) clip8(ss);
				}
			}
		}
		if (!needV) return new RgbImage(w, h, tmp);
		byte[] out = new byte[w * h * 3];
		for (int yy = 0; yy < h; yy++) {
			int ymin = vert.bounds[yy * 2] - yFirst, ymax = vert.bounds[yy * 2 + 1], kb = yy * vert.ksize;
			for (int x = 0; x < w; x++) {
				for (int c = 0; c < 3; c++) {
					int ss = 1 << (PRECISION_BITS - 1);
					for (int y = 0; y < ymax; y++) ss += (tmp[((y + ymin) * w + x) * 3 + c] & 0xFF) * vert.kk[kb + y];
					out[(yy * w + x) * 3 + c] = (byte) clip8(ss);
				}
			}
		}
		return new RgbImage(w, h, out);
	}
}
