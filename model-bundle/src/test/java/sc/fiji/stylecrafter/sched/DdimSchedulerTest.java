package sc.fiji.stylecrafter.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.testing.Golden;

class DdimSchedulerTest {

	@Test
	void uniformTimestepsWithTheOffset() {
		DdimScheduler s = new DdimScheduler(DdimConfig.STYLECRAFTER);
		s.setTimesteps(50, 1.0);
		assertEquals(50, s.steps());
		assertEquals(981, s.timestep(0));
		assertEquals(1, s.timestep(49));
		s.setTimesteps(5, 0.0);
		assertArrayEquals(new int[] { 801, 601, 401, 201, 1 }, new int[] { s.timestep(0), s.timestep(1), s.timestep(2), s.timestep(3), s.timestep(4) });
		assertEquals(0f, s.sigma(0));
		s.setTimesteps(7, 1.0); // 1000 // 7 = 142: 0, 142, ..., 994 -> eight steps, as the official code
		assertEquals(8, s.steps());
		assertEquals(995, s.timestep(0));
		// 1000 // 3 = 333: 0, 333, 666, 999 + 1 = 1000 is past the schedule (the official code fails): refused
		assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(3, 1.0));
	}

	@Test
	void stepBeforeSetTimestepsAndBadArgumentsAreErrors() {
		DdimScheduler s = new DdimScheduler(DdimConfig.STYLECRAFTER);
		assertThrows(IllegalStateException.class, () -> s.timestep(0));
		assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(0, 1));
		assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(10, -1));
	}

	@Test
	void etaZeroWithPerfectNoisePredictionRecoversX0() {
		DdimScheduler s = new DdimScheduler(DdimConfig.STYLECRAFTER);
		s.setTimesteps(10, 0.0);
		float[] ac = s.alphasCumprod();
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray x0 = m.randomNormal(new Shape(2, 3)), eps = m.randomNormal(new Shape(2, 3));
			int t = s.timestep(0);
			NDArray xt = x0.mul((float) Math.sqrt(ac[t])).add(eps.mul((float) Math.sqrt(1 - ac[t])));
			DdimScheduler.Step st = s.step(eps, 0, xt, m.zeros(new Shape(2, 3)));
			assertArrayEquals(x0.toFloatArray(), st.predOriginalSample().toFloatArray(), 1e-4f);
		}
	}

	/** The schedule equals the noise-schedule buffer the official code saved in model.ckpt. */
	@Test
	void alphasCumprodEqualTheCheckpointBuffer() throws IOException {
		try (Golden g = Golden.open()) {
			var buffer = g.modelCkpt.tensors().get("state_dict.alphas_cumprod");
			assertArrayEquals(buffer.toFloatArray(), new DdimScheduler(DdimConfig.STYLECRAFTER).alphasCumprod(), 0f);
		}
	}
}
