package sc.fiji.stylecrafter.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.CheckpointFormatException;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.sched.DdimConfig;
import sc.fiji.stylecrafter.sched.DdimScheduler;

/** The sampler's noise schedule is checked against the one model.ckpt registers, at load. */
class ScheduleCheckTest {

	@TempDir
	Path tmp;

	private Path withAlphas(float[] a) throws IOException {
		byte[] h = ("{\"state_dict.alphas_cumprod\":{\"dtype\":\"F32\",\"shape\":[" + a.length + "],\"data_offsets\":[0," + 4 * a.length + "]}}")
			.getBytes(StandardCharsets.UTF_8);
		ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
		b.putLong(h.length).put(h);
		for (float v : a) b.putFloat(v);
		return Files.write(tmp.resolve("m" + System.nanoTime() + ".safetensors"), b.array());
	}

	@Test
	void theGoldenModelHasStyleCraftersScheduleAndAnotherIsRefused() throws IOException {
		try (Checkpoint golden = Checkpoints.open(Fixtures.goldenFolder().resolve("model.ckpt"))) {
			ModelFolderCheck.checkSchedule(golden, DdimConfig.STYLECRAFTER);
		}
		float[] a = new DdimScheduler(DdimConfig.STYLECRAFTER).alphasCumprod();
		try (Checkpoint same = Checkpoints.open(withAlphas(a))) {
			ModelFolderCheck.checkSchedule(same, DdimConfig.STYLECRAFTER);
		}
		float[] other = new DdimScheduler(new DdimConfig(1000, 0.0001, 0.02)).alphasCumprod(); // another schedule
		try (Checkpoint sd = Checkpoints.open(withAlphas(other))) {
			CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> ModelFolderCheck.checkSchedule(sd, DdimConfig.STYLECRAFTER));
			assertTrue(e.getMessage().contains("not StyleCrafter's"), e.getMessage());
		}
		try (Checkpoint shorter = Checkpoints.open(withAlphas(java.util.Arrays.copyOf(a, 500)))) {
			assertThrows(CheckpointFormatException.class, () -> ModelFolderCheck.checkSchedule(shorter, DdimConfig.STYLECRAFTER));
		}
	}
}
