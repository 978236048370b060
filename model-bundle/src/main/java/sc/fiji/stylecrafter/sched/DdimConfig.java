package sc.fiji.stylecrafter.sched;

/**
 * The diffusion schedule of the model ({@code linear_start}, {@code linear_end}, {@code timesteps} of the model config):
 * betas linear in their square root.
 */
public record DdimConfig(int trainSteps, double betaStart, double betaEnd) {

	public static final DdimConfig STYLECRAFTER = new DdimConfig(1000, 0.00085, 0.012);

	public DdimConfig {
		if (trainSteps < 2 || betaStart <= 0 || betaEnd <= betaStart || betaEnd >= 1) throw new IllegalArgumentException("invalid schedule " + this);
	}
}
