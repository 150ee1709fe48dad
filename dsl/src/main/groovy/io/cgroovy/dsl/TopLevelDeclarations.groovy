package io.cgroovy.dsl

import groovy.transform.CompileStatic
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.Parameter
import org.codehaus.groovy.ast.expr.ClosureExpression
import org.codehaus.groovy.ast.expr.BinaryExpression
import org.codehaus.groovy.ast.expr.DeclarationExpression
import org.codehaus.groovy.ast.expr.EmptyExpression
import org.codehaus.groovy.ast.expr.VariableExpression
import org.codehaus.groovy.ast.stmt.ExpressionStatement
import org.codehaus.groovy.ast.stmt.Statement
import org.codehaus.groovy.classgen.GeneratorContext
import org.codehaus.groovy.control.CompilePhase
import org.codehaus.groovy.control.SourceUnit
import org.codehaus.groovy.control.customizers.CompilationCustomizer
import org.codehaus.groovy.syntax.Token
import org.codehaus.groovy.syntax.Types

/**
 * For the shell: {@code def x = 1} (or {@code String s = 'a'}) at the top level of a line
 * assigns the binding variable {@code x}, and {@code def f(n) { ... }} becomes the closure
 * {@code f} in the binding, so later lines see both, as a user expects at a prompt.
 * Declarations inside methods, closures and blocks stay local. Recipes keep Groovy's rules.
 */
@CompileStatic
class TopLevelDeclarations extends CompilationCustomizer {
    TopLevelDeclarations() { super(CompilePhase.CONVERSION) }

    @Override
    void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (!classNode.script) return
        List<Statement> statements = source.AST.statementBlock.statements
        methodsToClosures(classNode, statements)
        for (int i = 0; i < statements.size(); i++) {
            Statement s = statements[i]
            if (!(s instanceof ExpressionStatement)) continue
            def e = ((ExpressionStatement) s).expression
            if (!(e instanceof DeclarationExpression)) continue
            DeclarationExpression d = (DeclarationExpression) e
            if (d.multipleAssignmentDeclaration || !d.annotations.isEmpty()) continue
            VariableExpression v = d.variableExpression
            def value = d.rightExpression instanceof EmptyExpression ? new org.codehaus.groovy.ast.expr.ConstantExpression(null) : d.rightExpression
            BinaryExpression assign = new BinaryExpression(new VariableExpression(v.name),
                    Token.newSymbol(Types.ASSIGN, d.operation.startLine, d.operation.startColumn), value)
            assign.setSourcePosition(d)
            ExpressionStatement replacement = new ExpressionStatement(assign)
            replacement.setSourcePosition(s)
            statements[i] = replacement
        }
    }

    /** {@code def f(a, b) { body }} → {@code f = { a, b -> body }} at the top of the line. */
    private static void methodsToClosures(ClassNode script, List<Statement> statements) {
        List<MethodNode> declared = script.methods.findAll { MethodNode m ->
            m.lineNumber > 0 && !(m.name in ['run', 'main']) && !m.synthetic && m.code != null
        }
        int at = 0
        for (MethodNode m : declared) {
            script.removeMethod(m)
            Parameter[] params = m.parameters.collect { Parameter p ->
                Parameter copy = new Parameter(p.type, p.name, p.initialExpression)
                copy.setSourcePosition(p)
                copy
            } as Parameter[]
            ClosureExpression closure = new ClosureExpression(params.length == 0 ? Parameter.EMPTY_ARRAY : params, m.code)
            closure.setSourcePosition(m)
            BinaryExpression assign = new BinaryExpression(new VariableExpression(m.name),
                    Token.newSymbol(Types.ASSIGN, m.lineNumber, m.columnNumber), closure)
            assign.setSourcePosition(m)
            ExpressionStatement statement = new ExpressionStatement(assign)
            statement.setSourcePosition(m)
            statements.add(at++, statement)
        }
    }
}
