package sc.fiji.stylecrafter.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import picocli.CommandLine.Command;

import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.clip.ClipTextEncoder;
import sc.fiji.stylecrafter.clip.ClipTokenizer;
import sc.fiji.stylecrafter.clip.ClipVisionEncoder;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.image.StylePreprocessor;
import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.model.CheckpointKeyMap;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.nn.Weights;

/**
 * {@code stylecrafter bench-encoders MODELS_DIR VOCAB}: a benchmark, not a test. Builds the text and image encoders
 * from a model folder (full size unless it has a config.json) and times one prompt encoding and one style encoding
 * (preprocessing included), each run three times after one warm-up, on the CPU in float32.
 */
@Command(name = "bench-encoders", mixinStandardHelpOptions = true, description = "A benchmark: the text and image encoders (MODELS_DIR VOCAB).")
public final class BenchEncodersCommand extends PositionalBenchmark {





	@Override
	int run(String[] args, PrintWriter out, PrintWriter err) {
		if (args.length != 2) {
			err.println("usage: stylecrafter bench-encoders MODELS_DIR VOCAB(.txt.gz or folder)");
			return 2;
		}
		Path dir = Path.of(args[0]);
		try (Checkpoint clip = Checkpoints.open(dir.resolve("open_clip_pytorch_model.bin"));
			Checkpoint ckpt = Checkpoints.open(dir.resolve("model.ckpt"));
			NDManager model = NDManager.newBaseManager())
		{
			ModelConfig cfg = ModelConfig.read(dir.resolve(ModelConfig.FILE_NAME));
			ClipTokenizer tok = ClipTokenizer.load(Path.of(args[1]));
			long t0 = System.nanoTime();
			ClipTextEncoder text = new ClipTextEncoder(Weights.of(CheckpointKeyMap.textEncoder(clip, ckpt), model, DataType.FLOAT32, "text"), cfg.text());
			ClipVisionEncoder vision = new ClipVisionEncoder(Weights.of(CheckpointKeyMap.visionEncoder(clip), model, DataType.FLOAT32, "visual"), cfg.vision());
			out.printf(Locale.ROOT, "load encoders\t%.2f s%n", (System.nanoTime() - t0) / 1e9);
			byte[] px = new byte[640 * 480 * 3];
			new Random(1).nextBytes(px);
			RgbImage img = new RgbImage(640, 480, px);
			int size = cfg.vision().imageSize();
			for (int i = 0; i < 4; i++) {
				try (NDManager scope = model.newSubManager()) {
					long a = System.nanoTime();
					NDArray e = text.encode(tok, List.of("a red fox running through snow, watercolor"), scope);
					e.toFloatArray();
					long b = System.nanoTime();
					float[] x = StylePreprocessor.clipInput(StylePreprocessor.toModelRange(StylePreprocessor.resizeAndCrop(img, 512)), 512, 512, size);
					NDArray s = vision.encode(scope.create(x, new Shape(1, 3, size, size)));
					s.toFloatArray();
					long c = System.nanoTime();
					out.printf(Locale.ROOT, "%s\ttext encoding %.3f s\tstyle encoding %.3f s\t%s %s%n", i == 0 ? "warm-up" : "run " + i, (b - a) / 1e9, (c - b) / 1e9,
						e.getShape(), s.getShape());
				}
			}
			return 0;
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter bench-encoders: " + CliCommand.oneLine(e.getMessage()));
			return 1;
		}
	}
}
