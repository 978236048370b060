package sc.fiji.stylecrafter.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.nn.Scope;

/**
 * Denoising a clip longer than the model's temporal window (golden README, "long clips in windows"): windows of
 * {@code window} frames start at 0, {@code window - overlap}, {@code 2 (window - overlap)}, ..., the last one aligned
 * to the clip's end. A UNet call over the clip becomes one call per window (its temporal attention sees only the
 * window), and a frame's noise prediction is the mean of the predictions of the windows that hold it, with equal
 * weights. Guidance, the DDIM update and the noise draws stay over the whole latent. A clip of at most one window is
 * one plain call (PITFALLS 26).
 *
 * @param frames the clip's frames
 * @param window frames per window
 * @param starts the first frame of each window, ascending
 */
public record TemporalWindows(int frames, int window, List<Integer> starts) {

	public TemporalWindows {
		starts = List.copyOf(starts);
	}

	/**
	 * The windows of a clip.
	 *
	 * @throws IllegalArgumentException for a window under 1 or an overlap not smaller than the window, naming what is allowed
	 */
	public static TemporalWindows of(int frames, int window, int overlap) {
		if (frames < 1) throw new IllegalArgumentException("frames " + frames + " is out of range; allowed: 1 or more");
		if (window < 1) throw new IllegalArgumentException("window " + window + " is out of range; allowed: 1 or more");
		if (overlap < 0 || overlap >= window) {
			throw new IllegalArgumentException("overlap " + overlap + " is out of range for the window " + window + "; allowed: 0 to " + (window - 1));
		}
		List<Integer> starts = new ArrayList<>();
		if (frames <= window) starts.add(0);
		else {
			for (int start = 0;; start += window - overlap) {
				if (start + window >= frames) {
					starts.add(frames - window); // the last window ends with the clip
					break;
				}
				starts.add(start);
			}
		}
		return new TemporalWindows(frames, Math.min(window, frames), starts);
	}

	/** Whether the clip fits one window: one plain UNet call. */
	public boolean plain() {
		return starts.size() == 1;
	}

	/** The windows as {@code [start, end)} pairs, for messages and the record. */
	public List<int[]> ranges() {
		List<int[]> out = new ArrayList<>();
		for (int s : starts) out.add(new int[] { s, s + window });
		return out;
	}

	/**
	 * The noise prediction over the clip {@code x [b, c, frames, h, w]}: {@code unet} over each window, the windows
	 * that hold a frame averaged (summed in window order in float32, then divided by their number), in {@code x}'s
	 * dtype. Each window's activations are freed before the next runs.
	 */
	public NDArray apply(NDArray x, UnaryOperator<NDArray> unet) {
		if (plain()) return unet.apply(x);
		Shape s = x.getShape();
		if (s.dimension() != 5 || s.get(2) != frames) throw new IllegalArgumentException("windows of " + frames + " frames cannot cover a latent " + s);
		try (Scope scope = new Scope()) {
			NDArray sum = null;
			float[] count = new float[frames];
			for (int start : starts) {
				try (Scope one = new Scope()) {
					NDArray part = unet.apply(x.get(new NDIndex(":, :, {}:{}", start, start + window))).toType(DataType.FLOAT32, false);
					NDList pieces = new NDList();
					Shape ps = part.getShape();
					if (start > 0) pieces.add(x.getManager().zeros(new Shape(ps.get(0), ps.get(1), start, ps.get(3), ps.get(4)), DataType.FLOAT32, x.getDevice()));
					pieces.add(part);
					int after = frames - start - window;
					if (after > 0) pieces.add(x.getManager().zeros(new Shape(ps.get(0), ps.get(1), after, ps.get(3), ps.get(4)), DataType.FLOAT32, x.getDevice()));
					NDArray full = pieces.size() == 1 ? part : NDArrays.concat(pieces, 2);
					sum = sum == null ? one.keep(full) : Scope.replace(sum, one.keep(sum.add(full)));
				}
				for (int f = start; f < start + window; f++) count[f]++;
			}
			NDArray n = x.getManager().create(count, new Shape(1, 1, frames, 1, 1)).toDevice(x.getDevice(), false);
			return scope.keep(sum.div(n).toType(x.getDataType(), false));
		}
	}
}
