package sc.fiji.stylecrafter.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.io.Npy;
import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.nn.FlopCounter;
import sc.fiji.stylecrafter.nn.OpProfile;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.vae.VaeConfig;
import sc.fiji.stylecrafter.vae.VaeDecoder;
import sc.fiji.stylecrafter.vae.VaeEncoder;

/**
 * {@code stylecrafter bench-vae MODELS_DIR [decode|encode] [H W] [runs] [--profile]}: a benchmark, not a test. Builds the
 * VAE from a model folder (float32, CPU) and times one frame's decode (a latent of {@code H/8 x W/8}) or encode (an
 * image of {@code H x W}) per run, the first run included. Inputs come from a fixed seed (libtorch's {@code randn} with
 * seed 11: the official code draws the same numbers); with {@code STYLECRAFTER_BENCH_SAVE=FILE.npy} the last output is
 * saved as float32, for parity with the official decode. {@code --profile} profiles the last run ({@link OpProfile}).
 */
@Command(name = "bench-vae", mixinStandardHelpOptions = true, description = "A benchmark: one frame's VAE decode or encode (MODELS_DIR [decode|encode] [H W] [runs]).")
public final class BenchVaeCommand extends PositionalBenchmark {

	static final String USAGE = "usage: stylecrafter bench-vae MODELS_DIR [decode|encode] [H W] [runs] [--profile]";

	@Option(names = "--profile", description = "Profile the last run (CPU): time by block kind and by libtorch operator.")
	boolean profile;

	@Override
	List<String> arguments() {
		List<String> given = super.arguments();
		if (profile) given.add("--profile");
		return given;
	}

	@Override
	int run(String[] given, PrintWriter out, PrintWriter err) {
		boolean profiled = Arrays.asList(given).contains("--profile");
		String[] args = Arrays.stream(given).filter(a -> !a.equals("--profile")).toArray(String[]::new);
		if (args.length < 1 || args.length == 3 || args.length > 5 || (args.length > 1 && !args[1].matches("decode|encode"))) {
			err.println(USAGE);
			return 2;
		}
		Path dir = Path.of(args[0]);
		boolean decode = args.length < 2 || args[1].equals("decode");
		try (Checkpoint ckpt = Checkpoints.open(dir.resolve("model.ckpt")); NDManager model = NDManager.newBaseManager()) {
			long h = args.length > 3 ? Long.parseLong(args[2]) : 512, w = args.length > 3 ? Long.parseLong(args[3]) : 512;
			int runs = args.length > 4 ? Integer.parseInt(args[4]) : 3;
			if (h % 8 != 0 || w % 8 != 0 || h < 8 || w < 8 || runs < 1) {
				err.println("stylecrafter bench-vae: H and W must be positive multiples of 8 and runs at least 1, not " + h + "x" + w + ", " + runs);
				return 2;
			}
			VaeConfig vc = ModelConfig.read(dir.resolve(ModelConfig.FILE_NAME)).vae();
			MatmulRate rate = MatmulRate.measure(ai.djl.Device.cpu(), DataType.FLOAT32);
			out.println(rate);
			long t0 = System.nanoTime();
			Weights vw = Weights.of(CheckpointKeyMap.vae(ckpt), model, DataType.FLOAT32, "VAE");
			VaeDecoder decoder = decode ? new VaeDecoder(vw, vc) : null;
			VaeEncoder encoder = decode ? null : new VaeEncoder(vw, vc);
			out.printf(Locale.ROOT, "build VAE %s\t%.1f s%n", decode ? "decoder" : "encoder", (System.nanoTime() - t0) / 1e9);
			String save = System.getenv("STYLECRAFTER_BENCH_SAVE");
			for (int i = 0; i < runs; i++) {
				try (NDManager scope = model.newSubManager()) {
					model.getEngine().setRandomSeed(11);
					NDArray x = decode ? scope.randomNormal(new Shape(1, vc.zChannels(), h / 8, w / 8)).div(vc.scaleFactor())
						: scope.randomUniform(-1, 1, new Shape(1, 3, h, w));
					Supplier<FlopCounter.Counted<NDArray>> call = () -> FlopCounter.count(() -> {
						NDArray y = decode ? decoder.decodeFrames(x) : encoder.encodeFrames(x).mean();
						y.toFloatArray(); // finished
						return y;
					});
					long a = System.nanoTime();
					OpProfile.Profiled<FlopCounter.Counted<NDArray>> p = run(call, profiled && i == runs - 1);
					FlopCounter.Counted<NDArray> r = p.result();
					double s = (System.nanoTime() - a) / 1e9;
					if (save != null && i == runs - 1) Npy.writeFloat32(Path.of(save), r.result().toFloatArray(), r.result().getShape().getShape());
					out.printf(Locale.ROOT, "run %d\t%s one frame %dx%d\t%.2f s\t%.1f GFLOP\t%.1f GFLOP/s (%s)\tpeak RSS %.0f MB%n", i + 1, decode ? "decode" : "encode", h, w, s,
						r.flops() / 1e9, r.flops() / 1e9 / s, rate.ratio(r.flops() / 1e9 / s), BenchLoadCommand.peakRssKb() / 1e3);
					print(p, out);
				}
			}
			return 0;
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter bench-vae: " + CliCommand.oneLine(e.getMessage()));
			return 1;
		}
	}
}
