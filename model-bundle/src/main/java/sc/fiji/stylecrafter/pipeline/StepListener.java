package sc.fiji.stylecrafter.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * Told after every sampling step, on the generating thread; must return quickly. Its arrays live only during the call:
 * a listener copies what it keeps (a copy is a read from the device, which the step loop otherwise never makes).
 */
@FunctionalInterface
public interface StepListener {

	/** No one listening. */
	StepListener NONE = step -> {};

	/**
	 * One finished step.
	 *
	 * @param index steps done (1 after the first)
	 * @param total steps in all
	 * @param timestep the DDIM timestep the step denoised
	 * @param latent the new latent {@code [1, 4, t, h, w]}, float32
	 * @param predicted the sampler's estimate of the final latent at this step, float32
	 */
	record Step(int index, int total, int timestep, NDArray latent, NDArray predicted) {

		/** A copy of the latent's values. */
		public float[] latentValues() {
			return latent.toFloatArray();
		}

		/** A cheap picture of the estimate of the result ({@link LatentPreview}). */
		public LatentPreview preview() {
			long[] s = predicted.getShape().getShape();
			return LatentPreview.of(predicted.toFloatArray(), (int) s[2], (int) s[3], (int) s[4]);
		}
	}

	void step(Step step);
}
