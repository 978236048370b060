package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.io.StoredTensor;
import sc.fiji.stylecrafter.cli.base.CliCommand;

/**
 * {@code stylecrafter inspect [--prefix P] FILE}: one line per tensor, {@code key<TAB>dtype<TAB>shape}, sorted by key,
 * then {@code total<TAB>tensors<TAB>elements}. Reads only the file's metadata, never its weights.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Every tensor of a weight file (key, dtype, shape), from its metadata alone.")
final class InspectCommand extends CliCommand {

	@Option(names = "--prefix", paramLabel = "P", description = "Only the keys under P.")
	String prefix = "";

	@Parameters(paramLabel = "FILE", description = "A PyTorch checkpoint or a safetensors file.")
	Path file;

	@Override
	public Integer call() {
		try (Checkpoint c = Checkpoints.open(file, prefix)) {
			long elements = 0;
			StringBuilder sb = new StringBuilder();
			for (Map.Entry<String, StoredTensor> e : c.tensors(prefix).entrySet()) {
				StoredTensor t = e.getValue();
				sb.append(e.getKey()).append('\t').append(t.dtype().torchName()).append('\t').append(t.shapeString()).append('\n');
				elements += t.numel();
			}
			sb.append("total\t").append(c.tensors(prefix).size()).append('\t').append(elements).append('\n');
			out().print(sb);
			out().flush();
			return 0;
		}
		catch (NoSuchFileException e) {
			return failed(file + ": no such file");
		}
		catch (IOException | UncheckedIOException | IllegalStateException e) {
			return failed(e);
		}
	}
}
