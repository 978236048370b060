package sc.fiji.stylecrafter.sched;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Where the Gaussian draws of a sampling run come from, in call order: first the initial latent, then one draw per
 * step (PITFALLS 20). Draws are float32 on the CPU, on the given manager.
 */
public interface NoiseSource {

	NDArray next(Shape shape, NDManager manager);
}
