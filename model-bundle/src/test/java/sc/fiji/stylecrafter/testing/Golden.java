package sc.fiji.stylecrafter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.io.Fixtures;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.ModelConfig;

/** A golden folder opened for a test: its files, config and arrays. */
public final class Golden implements AutoCloseable {

	public final Path dir;
	public final ModelConfig config;
	public final Checkpoint modelCkpt;
	public final Checkpoint openClip;
	public final Checkpoint adapter;
	public final Checkpoint temporal;

	private Golden(Path dir) throws IOException {
		this.dir = dir;
		this.config = ModelConfig.read(dir.resolve("config.json"));
		this.modelCkpt = Checkpoints.open(dir.resolve("model.ckpt"));
		this.openClip = Checkpoints.open(dir.resolve("open_clip_pytorch_model.bin"));
		this.adapter = Checkpoints.open(dir.resolve("adapter_v1.pth"));
		this.temporal = Checkpoints.open(dir.resolve("temporal_v1_1.pth"));
	}

	/** Opens the folder named by {@code -Dstylecrafter.golden}, or skips the test. */
	public static Golden open() {
		try {
			return new Golden(Fixtures.goldenFolder());
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public Npy.Array npy(String name) {
		try {
			return Npy.read(dir.resolve(name));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** A float32 array from a .npy file on {@code m}. */
	public NDArray array(String name, NDManager m) {
		Npy.Array a = npy(name);
		return m.create(a.floats(), new Shape(a.shape()));
	}

	@Override
	public void close() throws IOException {
		modelCkpt.close();
		openClip.close();
		adapter.close();
		temporal.close();
	}
}
