package sc.fiji.stylecrafter.sched;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Standard normal draws from libtorch's CPU generator, seeded once on first use: the same numbers as
 * {@code torch.manual_seed(seed)} followed by {@code torch.randn} calls. The generator is libtorch's global one, so a
 * run must not interleave its draws with another run's (the pipeline runs one generation at a time per model).
 */
public final class SeededNoise implements NoiseSource {

	private final long seed;
	private boolean seeded;

	public SeededNoise(long seed) {
		if (seed < 0 || seed > Integer.MAX_VALUE) throw new IllegalArgumentException("seed " + seed + " is out of range; allowed: 0 to " + Integer.MAX_VALUE);
		this.seed = seed;
	}

	public long seed() {
		return seed;
	}

	@Override
	public NDArray next(Shape shape, NDManager manager) {
		try (NDManager cpu = manager.newSubManager(Device.cpu())) {
			if (!seeded) {
				cpu.getEngine().setRandomSeed((int) seed);
				seeded = true;
			}
			NDArray n = cpu.randomNormal(0f, 1f, shape, DataType.FLOAT32);
			n.attach(manager);
			return n;
		}
	}
}
