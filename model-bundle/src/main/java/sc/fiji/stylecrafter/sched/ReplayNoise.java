package sc.fiji.stylecrafter.sched;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.io.Npy;

/** Replays recorded draws from {@code .npy} files, in order; each must have the shape asked for. */
public final class ReplayNoise implements NoiseSource {

	private final List<Path> files;
	private int next;

	public ReplayNoise(List<Path> files) {
		this.files = List.copyOf(files);
	}

	@Override
	public NDArray next(Shape shape, NDManager manager) {
		if (next >= files.size()) throw new IllegalStateException("recorded noise exhausted after " + files.size() + " draws");
		Path f = files.get(next++);
		try {
			Npy.Array a = Npy.read(f);
			if (!Arrays.equals(a.shape(), shape.getShape())) {
				throw new IllegalStateException(f + " holds shape " + Arrays.toString(a.shape()) + ", the run needs " + shape);
			}
			return manager.create(a.floats(), shape);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
