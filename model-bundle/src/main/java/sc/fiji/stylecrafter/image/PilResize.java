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

	private static double bilinear(double x) {
		if (x < 0) x = -x;
		return x < 1.0 ? 1.0 - x : 0.0;
	}

	private static Coeffs precompute(int inSize, int outSize) {
		double scale = (double) inSize / outSize;
		double filterscale = Math.max(scale, 1.0);
		double support = 1.0 * filterscale;
		int ksize = (int) Math.ceil(support) * 2 + 1;
		double[] k = new double[outSize * ksize];
		int[] bounds = new int[outSize * 2];
		for (int xx = 0; xx < outSize; xx++) {
			double center = (xx + 0.5) * scale;
			double ww = 0.0, ss = 1.0 / filterscale;
			int xmin = (int) (center - support + 0.5);
			if (xmin < 0) xmin = 0;
			int xmax = (int) (center + support + 0.5);
			if (xmax > inSize) xmax = inSize;
			xmax -= xmin;
			for (int x = 0; x < xmax; x++) {
				double w = bilinear((x + xmin - center + 0.5) * ss);
				k[xx * ksize + x] = w;
				ww += w;
			}
			for (int x = 0; x < xmax; x++) if (ww != 0.0) k[xx * ksize + x] /= ww;
			bounds[xx * 2] = xmin;
			bounds[xx * 2 + 1] = xmax;
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
		if (outW == in.width() && outH == in.height()) return in;
		Coeffs horiz = precompute(in.width(), outW);
		Coeffs vert = precompute(in.height(), outH);
		int yFirst = vert.bounds[0];
		int yLast = vert.bounds[outH * 2 - 2] + vert.bounds[outH * 2 - 1];
		byte[] src = in.rgb();
		int srcW = in.width(), srcH = in.height(), rowOffset = 0;
		boolean needH = outW != in.width(), needV = outH != in.height();
		int[] vb = vert.bounds.clone();
		if (needH) {
			int tmpH = yLast - yFirst;
			byte[] tmp = new byte[outW * tmpH * 3];
			for (int y = 0; y < tmpH; y++) {
				for (int xx = 0; xx < outW; xx++) {
					int xmin = horiz.bounds[xx * 2], xmax = horiz.bounds[xx * 2 + 1], kb = xx * horiz.ksize;
					for (int c = 0; c < 3; c++) {
						int ss = 1 << (PRECISION_BITS - 1);
						for (int x = 0; x < xmax; x++) ss += (src[((y + yFirst) * srcW + x + xmin) * 3 + c] & 0xFF) * horiz.kk[kb + x];
						tmp[(y * outW + xx) * 3 + c] = (byte) clip8(ss);
					}
				}
			}
			for (int i = 0; i < outH; i++) vb[i * 2] -= yFirst;
			src = tmp;
			srcW = outW;
			srcH = tmpH;
		}
		if (!needV) return new RgbImage(srcW, srcH, src);
		byte[] out = new byte[outW * outH * 3];
		for (int yy = 0; yy < outH; yy++) {
			int ymin = vb[yy * 2], ymax = vb[yy * 2 + 1], kb = yy * vert.ksize;
			for (int x = 0; x < srcW; x++) {
				for (int c = 0; c < 3; c++) {
					int ss = 1 << (PRECISION_BITS - 1);
					for (int y = 0; y < ymax; y++) ss += (src[((y + ymin) * srcW + x) * 3 + c] & 0xFF) * vert.kk[kb + y];
					out[(yy * srcW + x) * 3 + c] = (byte) clip8(ss);
				}
			}
		}
		return new RgbImage(srcW, outH, out);
	}
}
