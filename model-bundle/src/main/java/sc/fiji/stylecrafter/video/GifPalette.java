package sc.fiji.stylecrafter.video;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One palette of at most 256 colours for a whole clip, by median cut over the clip's pixels (every pixel counted, so
 * large areas get their share), and the exact nearest palette colour of each pixel. Our own code: FFmpeg's palettegen
 * needs a filter graph that JavaCV's recorder cannot take; the GIF encoder gets the indices and this palette directly.
 */
public final class GifPalette {

	/** Colours of the palette, {@code 0xRRGGBB}. */
	private final int[] colours;
	/** Nearest colour of each 24-bit colour seen so far, plus one ({@code 0} for not yet known). */
	private final short[] nearest = new short[1 << 24];

	private GifPalette(int[] colours) {
		this.colours = colours;
	}

	/** The palette of frames given as packed {@code 0xRRGGBB} pixels. */
	public static GifPalette of(List<int[]> frames) {
		int[] count = new int[1 << 15]; // 5 bits a channel: enough to place the cuts
		long[][] sum = new long[1 << 15][3];
		for (int[] f : frames) {
			for (int p : f) {
				int k = ((p >> 19) & 31) << 10 | ((p >> 11) & 31) << 5 | ((p >> 3) & 31);
				count[k]++;
				sum[k][0] += (p >> 16) & 255;
				sum[k][1] += (p >> 8) & 255;
				sum[k][2] += p & 255;
			}
		}
		List<Integer> cells = new ArrayList<>();
		for (int k = 0; k < count.length; k++) if (count[k] > 0) cells.add(k);
		List<List<Integer>> boxes = new ArrayList<>();
		boxes.add(cells);
		while (boxes.size() < 256) {
			// split the box with the widest channel range, weighted by how many pixels it holds
			List<Integer> widest = null;
			long best = 0;
			int channel = 0;
			for (List<Integer> b : boxes) {
				if (b.size() < 2) continue;
				for (int c = 0; c < 3; c++) {
					int lo = 31, hi = 0;
					for (int k : b) {
						int v = (k >> (10 - 5 * c)) & 31;
						lo = Math.min(lo, v);
						hi = Math.max(hi, v);
					}
					long pixels = 0;
					for (int k : b) pixels += count[k];
					long score = (long) (hi - lo) * (long) Math.sqrt(pixels);
					if (score > best) {
						best = score;
						widest = b;
						channel = c;
					}
				}
			}
			if (widest == null) break;
			int shift = 10 - 5 * channel;
			widest.sort(Comparator.comparingInt(k -> (k >> shift) & 31));
			long total = 0, half;
			for (int k : widest) total += count[k];
			half = total / 2;
			int cut = 0;
			for (long acc = 0; cut < widest.size() - 1; cut++) {
				acc += count[widest.get(cut)];
				if (acc >= half) break;
			}
			boxes.remove(widest);
			boxes.add(new ArrayList<>(widest.subList(0, cut + 1)));
			boxes.add(new ArrayList<>(widest.subList(cut + 1, widest.size())));
		}
		int[] colours = new int[boxes.size()];
		for (int i = 0; i < colours.length; i++) {
			long n = 0, r = 0, g = 0, b = 0;
			for (int k : boxes.get(i)) {
				n += count[k];
				r += sum[k][0];
				g += sum[k][1];
				b += sum[k][2];
			}
			colours[i] = n == 0 ? 0 : (int) (r / n) << 16 | (int) (g / n) << 8 | (int) (b / n);
		}
		return new GifPalette(colours);
	}

	/** The palette's colours, {@code 0xRRGGBB}. */
	public int[] colours() {
		return colours.clone();
	}

	/** The index of the palette colour nearest to {@code rgb} (squared distance in RGB). */
	public int index(int rgb) {
		int key = rgb & 0xFFFFFF;
		int known = nearest[key];
		if (known != 0) return known - 1;
		int r = (key >> 16) & 255, g = (key >> 8) & 255, b = key & 255, best = 0, bestD = Integer.MAX_VALUE;
		for (int i = 0; i < colours.length; i++) {
			int c = colours[i], dr = ((c >> 16) & 255) - r, dg = ((c >> 8) & 255) - g, db = (c & 255) - b;
			int d = dr * dr + dg * dg + db * db;
			if (d < bestD) {
				bestD = d;
				best = i;
			}
		}
		nearest[key] = (short) (best + 1);
		return best;
	}

	@Override
	public String toString() {
		return "GifPalette[" + colours.length + " colours " + Arrays.toString(Arrays.copyOf(colours, Math.min(4, colours.length))) + "...]";
	}
}
