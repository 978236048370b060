package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.io.StoredTensor;

/**
 * {@code stylecrafter inspect [--prefix P] FILE}: one line per tensor, {@code key<TAB>dtype<TAB>shape}, sorted by key,
 * then {@code total<TAB>tensors<TAB>elements}. Reads only the file's metadata, never its weights.
 */
final class InspectCommand {

	private InspectCommand() {}

	static int run(String[] args, PrintStream out, PrintStream err) {
		String prefix = "";
		String file = null;
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals("--prefix")) {
				if (i + 1 >= args.length) {
					err.println("stylecrafter inspect: --prefix needs a value");
					return 2;
				}
				prefix = args[++i];
			}
			else if (args[i].startsWith("-")) {
				err.println("stylecrafter inspect: unknown option '" + args[i] + "'; allowed: --prefix P");
				return 2;
			}
			else if (file == null) file = args[i];
			else {
				err.println("stylecrafter inspect: one FILE only, got also '" + args[i] + "'");
				return 2;
			}
		}
		if (file == null) {
			err.println("usage: stylecrafter inspect [--prefix P] FILE");
			return 2;
		}
		try (Checkpoint c = Checkpoints.open(Path.of(file), prefix)) {
			long elements = 0;
			StringBuilder sb = new StringBuilder();
			for (Map.Entry<String, StoredTensor> e : c.tensors(prefix).entrySet()) {
				StoredTensor t = e.getValue();
				sb.append(e.getKey()).append('\t').append(t.dtype().torchName()).append('\t').append(t.shapeString()).append('\n');
				elements += t.numel();
			}
			sb.append("total\t").append(c.tensors(prefix).size()).append('\t').append(elements).append('\n');
			out.print(sb);
			out.flush();
			return 0;
		}
		catch (NoSuchFileException e) {
			err.println("stylecrafter inspect: " + file + ": no such file");
			return 1;
		}
		catch (IOException | UncheckedIOException | IllegalStateException e) {
			err.println("stylecrafter inspect: " + oneLine(e.getMessage()));
			return 1;
		}
	}

	static String oneLine(String s) {
		return s == null ? "unknown error" : s.replace('\n', ' ');
	}
}
