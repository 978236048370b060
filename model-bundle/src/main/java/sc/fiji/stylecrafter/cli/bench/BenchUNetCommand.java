package sc.fiji.stylecrafter.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

import ai.djl.Device;
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
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.nn.FlopCounter;
import sc.fiji.stylecrafter.nn.OpProfile;
import sc.fiji.stylecrafter.nn.Weights;
import sc.fiji.stylecrafter.engine.Precision;
import sc.fiji.stylecrafter.unet.UNetConfig;
import sc.fiji.stylecrafter.unet.UNetModel;
import sc.fiji.stylecrafter.model.ModelLoader;

/**
 * {@code stylecrafter bench-unet MODELS_DIR [video|image] [float32|float16|bfloat16] [cpu|gpu] [runs] [frames H W] [--profile]}: a
 * benchmark, not a test. Builds the UNet (with the style branch) from a model folder and times calls on random latents
 * with style context and scales (prepared once, as a generation does, and not timed), reporting seconds, the FLOPs of the matrix products and convolutions, and GFLOP/s.
 * With {@code STYLECRAFTER_BENCH_SAVE=FILE.npy} in the environment, the inputs are drawn from a fixed seed (the same in
 * any precision and on any device) and the last call's output is saved as float32, for precision and device parity.
 * {@code --profile} profiles the last call on the CPU ({@link OpProfile}: time by block kind and by libtorch operator,
 * CPU time, page faults).
 */
@Command(name = "bench-unet", mixinStandardHelpOptions = true, description = "A benchmark: UNet calls on random latents (MODELS_DIR [video|image] [float32|float16|bfloat16] [cpu|gpu] [runs] [frames H W]).")
public final class BenchUNetCommand extends PositionalBenchmark {


	@Option(names = "--profile", description = "Profile the last call (CPU): time by block kind and by libtorch operator.")
	boolean profile;

	@Override
	List<String> arguments() {
		List<String> given = super.arguments();
		if (profile) given.add("--profile");
		return given;
	}



	static final String USAGE = "usage: stylecrafter bench-unet MODELS_DIR [video|image] [float32|float16|bfloat16] [cpu|gpu] [runs] [frames H W] [--profile]";

	@Override
	int run(String[] given, PrintWriter out, PrintWriter err) {
		boolean profile = Arrays.asList(given).contains("--profile");
		String[] args = Arrays.stream(given).filter(a -> !a.equals("--profile")).toArray(String[]::new);
		if (args.length < 1) {
			err.println(USAGE);
			return 2;
		}
		Path dir = Path.of(args[0]);
		boolean video = args.length < 2 || args[1].equals("video");
		Precision precision = args.length > 2 ? Precision.parse(args[2]) : Precision.FLOAT32;
		DataType dtype = precision.dataType();
		Device device = args.length > 3 && args[3].equals("gpu") ? Device.gpu() : Device.cpu();
		int runs = args.length > 4 ? Integer.parseInt(args[4]) : 2;
		try (Checkpoint ckpt = Checkpoints.open(dir.resolve("model.ckpt"));
			Checkpoint adapterFile = Checkpoints.open(dir.resolve("adapter_v1.pth"));
			Checkpoint temporal = video ? Checkpoints.open(dir.resolve("temporal_v1_1.pth")) : null;
			NDManager model = NDManager.newBaseManager(device))
		{
			ModelConfig cfg = ModelConfig.read(dir.resolve(ModelConfig.FILE_NAME));
			UNetConfig uc = cfg.unet();
			long frames = video ? (args.length > 5 ? Long.parseLong(args[5]) : uc.temporalLength()) : 1;
			long h = args.length > 6 ? Long.parseLong(args[6]) : video ? 40 : 64, w = args.length > 7 ? Long.parseLong(args[7]) : 64;
			MatmulRate rate = MatmulRate.measure(device, dtype); // before the weights fill the memory
			out.println(rate);
			long t0 = System.nanoTime();
			UNetModel unet = new UNetModel(ModelLoader.weights(precision, Precision.Part.UNET, CheckpointKeyMap.unet(ckpt, temporal), model, "unet"),
				CheckpointKeyMap.styleBranches(ModelLoader.weights(precision, Precision.Part.ADAPTER, CheckpointKeyMap.adapter(adapterFile), model, "adapter")), uc, video ? Mode.VIDEO : Mode.IMAGE, cfg.text().contextLength());
			out.printf(Locale.ROOT, "build %s UNet (%s, %s)\t%.1f s%n", video ? "video" : "image", precision.label(), device, (System.nanoTime() - t0) / 1e9);
			String save = System.getenv("STYLECRAFTER_BENCH_SAVE");
			for (int i = 0; i < runs; i++) {
				if (save != null) ai.djl.engine.Engine.getInstance().setRandomSeed(7);
				try (NDManager scope = model.newSubManager(Device.cpu())) { // inputs drawn on the CPU: the same numbers for any device
					NDArray x = scope.randomNormal(new Shape(1, uc.inChannels(), frames, h, w)).toDevice(device, false).toType(dtype, false);
					NDArray ctx = scope.randomNormal(new Shape(1, cfg.text().contextLength() + cfg.adapter().styleTokens(), uc.contextDim())).toDevice(device, false)
						.toType(dtype, false);
					NDArray scales = scope.randomUniform(-1, 1, new Shape(1, unet.styleLayers(), 1)).toDevice(device, false).toType(dtype, false);
					UNetModel.Conditioning cond = unet.prepare(ctx, scales, 1f); // once per generation, as the pipeline does: not timed
					long a = System.nanoTime();
					Supplier<FlopCounter.Counted<float[]>> call = () -> FlopCounter.count(() -> unet.forward(x, new float[] { 501 }, cond, video ? Mode.VIDEO : Mode.IMAGE)
						.toType(DataType.FLOAT32, false).toFloatArray());
					OpProfile.Profiled<FlopCounter.Counted<float[]>> p = run(call, profile && i == runs - 1);
					FlopCounter.Counted<float[]> r = p.result();
					double s = (System.nanoTime() - a) / 1e9;
					if (save != null && i == runs - 1) Npy.writeFloat32(Path.of(save), r.result(), 1, uc.outChannels(), frames, h, w);
					out.printf(Locale.ROOT, "run %d\tlatent 1x%dx%dx%dx%d\t%.2f s\t%.1f GFLOP\t%.1f GFLOP/s (%s)\tpeak RSS %.0f MB%n", i + 1, uc.inChannels(), frames, h,
						w, s, r.flops() / 1e9, r.flops() / 1e9 / s, rate.ratio(r.flops() / 1e9 / s), BenchLoadCommand.peakRssKb() / 1e3);
					print(p, out);
				}
			}
			return 0;
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter bench-unet: " + CliCommand.oneLine(e.getMessage()));
			return 1;
		}
	}
}
