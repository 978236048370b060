package sc.fiji.stylecrafter.sched;

import ai.djl.ndarray.NDArray;

/**
 * Ports the DDIM update of {@code DDIMSampler} (lvdm/models/samplers/ddim.py) with 'uniform' timesteps, separate from
 * any model: {@link #setTimesteps} then one {@link #step} per timestep, in sampling order (PITFALLS 20). The scalars
 * are computed as the official code does (cumulative products in float64 stored as float32, sigmas in float64, every
 * per-step coefficient as a float32), so that a run follows the official numbers.
 *
 * <p>Not thread-safe: one scheduler per run.
 */
public final class DdimScheduler {

	/** The result of one step: {@code x_{t-1}} and the predicted {@code x_0}. */
	public record Step(NDArray prevSample, NDArray predOriginalSample) {}

	private final DdimConfig config;
	private final float[] alphasCumprod;
	private int[] timesteps;
	private float[] alphas;
	private float[] alphasPrev;
	private double[] sigmas;

	public DdimScheduler(DdimConfig config) {
		this.config = config;
		int n = config.trainSteps();
		double start = Math.sqrt(config.betaStart()), end = Math.sqrt(config.betaEnd());
		double stepSize = (end - start) / (n - 1);
		alphasCumprod = new float[n];
		double cum = 1;
		for (int i = 0; i < n; i++) {
			double s = i < n / 2 ? start + stepSize * i : end - stepSize * (n - 1 - i); // torch.linspace
			cum *= 1 - s * s;
			alphasCumprod[i] = (float) cum;
		}
	}

	/** {@code alphas_cumprod} as the model registers it (float32). */
	public float[] alphasCumprod() {
		return alphasCumprod.clone();
	}

	/**
	 * Chooses the timesteps: {@code c = trainSteps / steps}, {@code 0, c, 2c, ... < trainSteps}, each plus one
	 * (there can be more than {@code steps} of them when {@code steps} does not divide {@code trainSteps}, as in the
	 * official code).
	 *
	 * @param eta 0 for deterministic DDIM, 1 (the official default) for fresh noise at every step
	 */
	public void setTimesteps(int steps, double eta) {
		if (eta < 0 || Double.isNaN(eta)) throw new IllegalArgumentException("eta " + eta + " must be 0 or more");
		int count = count(config, steps);
		int c = config.trainSteps() / steps;
		timesteps = new int[count];
		alphas = new float[count];
		alphasPrev = new float[count];
		sigmas = new double[count];
		for (int i = 0; i < count; i++) {
			timesteps[i] = i * c + 1;
			alphas[i] = alphasCumprod[timesteps[i]];
			alphasPrev[i] = i == 0 ? alphasCumprod[0] : alphasCumprod[timesteps[i - 1]];
			double a = alphas[i], ap = alphasPrev[i];
			sigmas[i] = eta * Math.sqrt((1 - ap) / (1 - a) * (1 - a / ap));
		}
	}

	/**
	 * How many denoising steps a request for {@code steps} uniform steps runs, as in the official code: more than
	 * {@code steps} when {@code steps} does not divide the training steps (30 gives 31). Checks the request without
	 * any model, so that a bad step count is refused before anything loads.
	 *
	 * @throws IllegalArgumentException for a count out of range, or one whose timesteps the schedule does not have
	 */
	public static int count(DdimConfig config, int steps) {
		if (steps < 1 || steps > config.trainSteps()) {
			throw new IllegalArgumentException("steps " + steps + " is out of range; allowed: 1 to " + config.trainSteps());
		}
		int c = config.trainSteps() / steps;
		int count = (config.trainSteps() + c - 1) / c;
		if ((count - 1) * c + 1 >= config.trainSteps()) {
			// the official code indexes past the schedule here and fails
			throw new IllegalArgumentException("steps " + steps + " is not supported: its uniform timesteps would need timestep " + config.trainSteps()
				+ ", which the schedule does not have; choose another number of steps (e.g. 25, 50, 100)");
		}
		return count;
	}

	/** Number of steps of the run ({@code setTimesteps} first). */
	public int steps() {
		checkSet();
		return timesteps.length;
	}

	/** The timestep of loop iteration {@code i} (0 is the noisiest). */
	public int timestep(int i) {
		checkSet();
		return timesteps[timesteps.length - 1 - i];
	}

	/** The standard deviation of the noise added at iteration {@code i}. */
	public float sigma(int i) {
		checkSet();
		return (float) sigmas[timesteps.length - 1 - i];
	}

	private void checkSet() {
		if (timesteps == null) throw new IllegalStateException("call setTimesteps before stepping");
	}

	/**
	 * {@code x0} noised to the level of the timestep loop iteration {@code i} denoises, as
	 * {@code DDIMSampler.stochastic_encode} does on the DDIM schedule: {@code sqrt(a) x0 + sqrt(1 - a) noise}, the
	 * coefficients float32 as the sampler's buffers. Restyling starts its loop at {@code i} from this (PITFALLS 24).
	 *
	 * @param noise a standard normal draw of {@code x0}'s shape
	 */
	public NDArray noised(NDArray x0, int i, NDArray noise) {
		checkSet();
		if (i < 0 || i >= timesteps.length) throw new IllegalArgumentException("step " + i + " outside 0.." + (timesteps.length - 1));
		float a = alphas[timesteps.length - 1 - i];
		return x0.mul((float) Math.sqrt(a)).add(noise.mul((float) Math.sqrt(1f - a)));
	}

	/**
	 * One DDIM update at loop iteration {@code i}: {@code x0 = (x - sqrt(1 - a_t) e) / sqrt(a_t)} (eq. 12),
	 * {@code x_prev = sqrt(a_prev) x0 + sqrt(1 - a_prev - sigma^2) e + sigma z} (eq. 16 with eta).
	 *
	 * @param eps the guided noise prediction
	 * @param x the current sample
	 * @param noise a standard normal draw of {@code x}'s shape (drawn by the caller, after the model calls)
	 */
	public Step step(NDArray eps, int i, NDArray x, NDArray noise) {
		checkSet();
		if (i < 0 || i >= timesteps.length) throw new IllegalArgumentException("step " + i + " outside 0.." + (timesteps.length - 1));
		int index = timesteps.length - 1 - i;
		float aT = alphas[index], aPrev = alphasPrev[index], sigma = (float) sigmas[index];
		float sqrtOneMinusAt = (float) Math.sqrt(1f - aT);
		float sqrtAt = (float) Math.sqrt(aT);
		float dirCoef = (float) Math.sqrt(1f - aPrev - sigma * sigma);
		float sqrtAPrev = (float) Math.sqrt(aPrev);
		NDArray predX0 = x.sub(eps.mul(sqrtOneMinusAt)).div(sqrtAt);
		NDArray dirXt = eps.mul(dirCoef);
		NDArray prev = predX0.mul(sqrtAPrev).add(dirXt).add(noise.mul(sigma));
		return new Step(prev, predX0);
	}
}
