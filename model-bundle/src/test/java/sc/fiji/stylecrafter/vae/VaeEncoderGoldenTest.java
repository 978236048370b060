package sc.fiji.stylecrafter.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.image.StylePreprocessor;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.testing.Compare;
import sc.fiji.stylecrafter.testing.Golden;
import sc.fiji.stylecrafter.testing.RestyleRuns;

/**
 * The VAE encoder against the official code: the posterior moments of {@code vae_encoder_input_uint8.npy}, and the
 * restyle runs' latents {@code <run>_x0.npy} (each source frame encoded on its own, drawn from its posterior with the
 * run's recorded draws, scaled).
 *
 * <p>The block files {@code vae_encoder_mean/logvar.npy} hold a float32 error of their own of about 1e-4: the
 * official run fed the encoder a channels-last view of the {@code [n, H, W, 3]} frames, and torch 1.13's channels-last
 * group norm sums each channel's values and squares in one float32 pass. Computed exactly (float64), the posterior is
 * 7e-5 (frame 0) and 1.5e-4 (frame 1) from those files, and this float32 encoder 1.3e-6 from float64; summing as torch
 * 1.13 does brings the files within 1.4e-5 (measured on tiny-v1 while writing this test, with a throw-away group norm).
 * So those files are checked at 5e-4, and the encoder is held to 1e-4 on the restyle latents, which the official code
 * encoded from contiguous frames (7.6e-7 on tiny-v1).
 */
class VaeEncoderGoldenTest {

	@Test
	void encodesToTheOfficialPosterior() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			Weights w = Weights.of(CheckpointKeyMap.vae(g.modelCkpt), model, DataType.FLOAT32, "vae");
			VaeEncoder encoder = new VaeEncoder(w, g.config.vae());
			Npy.Array wantMean = g.npy("vae_encoder_mean.npy"), wantLogvar = g.npy("vae_encoder_logvar.npy");
			List<RgbImage> frames = RestyleRuns.frames(g.dir.resolve("vae_encoder_input_uint8.npy"));
			try (NDManager scope = model.newSubManager()) {
				float[] mean = new float[(int) wantMean.numel()], logvar = new float[(int) wantLogvar.numel()];
				int per = mean.length / frames.size();
				for (int f = 0; f < frames.size(); f++) {
					NDArray x = frame(frames.get(f), scope);
					int before = scope.getManagedArrays().size();
					VaeEncoder.Posterior p = encoder.encodeFrames(x);
					int left = scope.getManagedArrays().size() - before;
					assertTrue(left <= 2, left + " arrays left on the caller's manager after encoding a frame (the mean and log-variance only)");
					long[] s = wantMean.shape();
					assertArrayEquals(new long[] { 1, s[1], s[2], s[3] }, p.mean().getShape().getShape());
					System.arraycopy(p.mean().toFloatArray(), 0, mean, f * per, per);
					System.arraycopy(p.logvar().toFloatArray(), 0, logvar, f * per, per);
				}
				double errMean = Compare.relativeError(mean, wantMean.floats()), errLogvar = Compare.relativeError(logvar, wantLogvar.floats());
				System.out.printf("vae_encoder mean: relative error %.3g, logvar: %.3g%n", errMean, errLogvar);
				assertTrue(errMean < 5e-4, "VAE encoder mean relative error " + errMean);
				assertTrue(errLogvar < 5e-4, "VAE encoder logvar relative error " + errLogvar);
			}
			new VaeDecoder(w, g.config.vae());
			assertEquals(List.of(), List.copyOf(w.unusedKeys()), "autoencoder weights that neither the encoder nor the decoder takes");
		}
	}

	@Test
	void encodesTheRestyleSourcesToTheOfficialLatents() throws IOException {
		try (Golden g = Golden.open(); NDManager model = NDManager.newBaseManager()) {
			VaeEncoder encoder = new VaeEncoder(Weights.of(CheckpointKeyMap.vae(g.modelCkpt), model, DataType.FLOAT32, "vae"), g.config.vae());
			int checked = 0;
			for (String name : RestyleRuns.names()) {
				RestyleRuns.Run run = RestyleRuns.named(name);
				if (run.source() == null) continue;
				List<RgbImage> frames = run.sourceFrames();
				Iterator<Path> draws = run.noiseFiles().iterator();
				try (NDManager scope = model.newSubManager()) {
					int[] told = { 0 };
					NDArray x0 = encoder.encode(frames.size(), i -> frame(frames.get(i), scope), shape -> replay(draws.next(), shape, scope), n -> told[0] = n);
					assertEquals(frames.size(), told[0], "frames told after encoding");
					Npy.Array want = g.npy(name + "_x0.npy");
					assertArrayEquals(want.shape(), x0.getShape().getShape(), name + " x0 shape");
					double err = Compare.relativeError(x0.toFloatArray(), want.floats());
					System.out.printf("%s x0: relative error %.3g%n", name, err);
					assertTrue(err < 1e-4, name + " x0 relative error " + err);
					checked++;
				}
			}
			assertTrue(checked > 0, RestyleRuns.FILE + " lists no run with a source");
		}
	}

	private static NDArray frame(RgbImage img, NDManager m) {
		return m.create(StylePreprocessor.toModelRange(img), new Shape(1, 3, img.height(), img.width()));
	}

	private static NDArray replay(Path file, Shape shape, NDManager m) {
		try {
			Npy.Array a = Npy.read(file);
			assertArrayEquals(shape.getShape(), a.shape(), file + ": a draw of another shape");
			return m.create(a.floats(), shape);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
